package dev.flashsale.order.checkout;

import java.math.BigDecimal;

/** One product line of an order. */
record OrderLine(String sku, int quantity, BigDecimal unitPrice) {

    BigDecimal amount() {
        return unitPrice.multiply(BigDecimal.valueOf(quantity));
    }
}
