package dev.flashsale.order.checkout;

import java.math.BigDecimal;

import jakarta.persistence.Embeddable;

/** One product line of an order. */
@Embeddable
record OrderLine(String sku, int quantity, BigDecimal unitPrice) {

    BigDecimal amount() {
        return unitPrice.multiply(BigDecimal.valueOf(quantity));
    }
}
