package dev.flashsale.order.checkout;

import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** No order has this id: answered as a 404 problem. */
class OrderNotFoundException extends ErrorResponseException {

    OrderNotFoundException(UUID orderId) {
        super(HttpStatus.NOT_FOUND, problem(orderId), null);
    }

    private static ProblemDetail problem(UUID orderId) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "No order has the id " + orderId + ".");
        problem.setTitle("Order not found");
        problem.setProperty("orderId", orderId);
        return problem;
    }
}
