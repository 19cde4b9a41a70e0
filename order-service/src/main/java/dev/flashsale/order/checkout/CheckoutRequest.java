package dev.flashsale.order.checkout;

import java.math.BigDecimal;
import java.util.List;

import jakarta.validation.Valid;
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
 * <p>Unknown fields are rejected (see {@code system/StrictJsonConfig}): a misspelt field that
 * was silently dropped would place a different order than the one the client meant.
 */
record CheckoutRequest(
        @NotNull @Valid Customer customer,
        @NotEmpty @Size(max = 100) List<@NotNull @Valid Line> lines,
        @NotNull @Pattern(regexp = "[A-Z]{3}", message = "must be an ISO 4217 code such as EUR") String currency) {

    record Customer(
            @NotBlank @Size(max = 64) @Pattern(regexp = "\\p{Graph}+", message = "must be printable, without spaces") String id,
            @NotBlank @Size(max = 254) @Email String email) {
    }

    record Line(
            @NotBlank @Size(max = 64) @Pattern(regexp = "[A-Za-z0-9._-]+", message = "must be letters, digits, '.', '_' or '-'") String sku,
            @NotNull @Positive @Max(10_000) Integer quantity,
            @NotNull @DecimalMin("0.00") @Digits(integer = 12, fraction = 2) BigDecimal unitPrice) {
    }
}
