package dev.flashsale.worker;

import java.util.concurrent.atomic.AtomicInteger;

import dev.flashsale.events.EventHeaders;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.ImmediateRequeueAmqpException;
import org.springframework.amqp.core.Message;
import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryListener;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.core.retry.Retryable;

/**
 * The listener container's advice: each delivery is attempted, retried in place with exponential
 * backoff and jitter while the failure may be transient, and dead-lettered with its reason when the
 * attempts are used up or the failure can never succeed.
 *
 * <p>It uses Spring Framework's core retry ({@link RetryTemplate}, {@link RetryPolicy}) as Spring AMQP 4's
 * own stateless retry interceptor does, and adds what that interceptor does not expose: a retry listener
 * (for the {@code retries} counter) and the number of attempts handed to the recoverer (for the
 * {@code x-attempts} header).
 */
final class RetryThenDeadLetterAdvice implements MethodInterceptor {

    private static final Logger log = LoggerFactory.getLogger(RetryThenDeadLetterAdvice.class);

    private final RetryTemplate retryTemplate;
    private final DeadLetterRecoverer recoverer;
    private final FaultInjector faults;

    RetryThenDeadLetterAdvice(RetryPolicy policy, DeadLetterRecoverer recoverer, FaultInjector faults, WorkerStats stats) {
        this.retryTemplate = new RetryTemplate(policy);
        this.retryTemplate.setRetryListener(new RetryListener() {
            @Override
            public void beforeRetry(RetryPolicy retryPolicy, Retryable<?> retryable) {
                stats.retried();
            }
        });
        this.recoverer = recoverer;
        this.faults = faults;
    }

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        if (!(invocation.getArguments()[1] instanceof Message message)) {
            return invocation.proceed();
        }
        Object orderId = message.getMessageProperties().getHeader(EventHeaders.ORDER_ID);
        if (faults.crashNow()) {
            // As if the process had died holding the message: no retry, no dead letter of ours; the broker
            // takes it back and counts the delivery, and its delivery limit is what finally stops it.
            log.warn("Simulated consumer crash on order {}: handing the delivery back to the queue", orderId);
            throw new ImmediateRequeueAmqpException("Simulated consumer crash (fault knob crashRate)");
        }
        AtomicInteger attempts = new AtomicInteger();
        try {
            return retryTemplate.execute(() -> {
                int attempt = attempts.incrementAndGet();
                try {
                    faults.beforeAttempt();
                    return ((ProxyMethodInvocation) invocation).invocableClone().proceed();
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw ex;
                }
                catch (Throwable ex) {
                    log.warn("Attempt {} for order {} failed: {}", attempt, orderId, FailureClassifier.rootCause(ex).toString());
                    throw ex;
                }
            });
        }
        catch (RetryException ex) {
            if (Thread.currentThread().isInterrupted()) {
                // Stopped while waiting between attempts: the message goes back to the queue, it did not fail for good.
                throw new ImmediateRequeueAmqpException("Interrupted between attempts for order " + orderId, ex);
            }
            recoverer.recover(message, ex.getCause(), attempts.get());
            return null;
        }
    }
}
