package dev.flashsale.order.checkout;

import java.math.BigDecimal;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.flashsale.events.OrderPlaced;
import org.jspecify.annotations.Nullable;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

/**
 * The body of {@code POST /api/orders}. The client never sends a total: the service computes it.
 *
 * <p>Unknown fields are rejected (see admin-security's {@code StrictJsonAutoConfiguration}): a misspelt field that
 * was silently dropped would place a different order than the one the client meant.
 */
record CheckoutRequest(
        @NotNull @Valid Customer customer,
        @NotEmpty @Size(max = 100) List<@NotNull @Valid Line> lines,
        @NotNull @Pattern(regexp = "[A-Z]{3}", message = "must be an ISO 4217 code such as EUR") String currency,
        // Optional, and left out of the JSON the request hash is taken of when absent: a retry of a request from before
        // priorities existed still matches its Idempotency-Key.
        @JsonInclude(JsonInclude.Include.NON_NULL) OrderPlaced.@Nullable Priority priority) {

    /** The largest total an order can have: what the {@code orders.total} column, {@code numeric(19,2)}, holds. */
    static final BigDecimal MAX_TOTAL = new BigDecimal("99999999999999999.99");

    /** The priority asked for; a request without one is a normal order. */
    OrderPlaced.Priority priorityOrNormal() {
        return priority == null ? OrderPlaced.Priority.NORMAL : priority;
    }

    /**
     * Each line is within bounds, but 100 lines of 10,000 units at the highest price are not: such a total would fail
     * at the insert, as a 500, instead of here, as a 400 that says what is wrong.
     */
    @JsonIgnore
    @AssertTrue(message = "the total of the lines must be at most 99999999999999999.99")
    boolean isTotalWithinLimit() {
        if (lines == null) {
            return true;
        }
        BigDecimal total = BigDecimal.ZERO;
        for (Line line : lines) {
            if (line == null || line.quantity() == null || line.unitPrice() == null || line.unitPrice().compareTo(Line.MAX_PRICE) > 0
                    || line.unitPrice().stripTrailingZeros().scale() > 2) {
                continue;   // refused by the line's own constraints (and 1e-2147483647 cannot even be added up)
            }
            total = total.add(line.unitPrice().multiply(BigDecimal.valueOf(line.quantity())));
        }
        return total.compareTo(MAX_TOTAL) <= 0;
    }

    record Customer(
            @NotBlank @Size(max = 64) @Pattern(regexp = "\\p{Graph}+", message = "must be printable, without spaces") String id,
            @NotBlank @Size(max = 254) @Email String email) {
    }

    record Line(
            @NotBlank @Size(max = 64) @Pattern(regexp = "[A-Za-z0-9._-]+", message = "must be letters, digits, '.', '_' or '-'") String sku,
            @NotNull @Positive @Max(10_000) Integer quantity,
            @NotNull @DecimalMin("0.00") @DecimalMax("999999999999.99") @Digits(integer = 12, fraction = 2) BigDecimal unitPrice) {

        /**
         * The highest unit price. {@code @Digits} alone lets {@code 1e2147483647} through (its count of integer digits
         * overflows an {@code int} in the validator), and the total of such a price fails with an ArithmeticException.
         */
        static final BigDecimal MAX_PRICE = new BigDecimal("999999999999.99");
    }
}
