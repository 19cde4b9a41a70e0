package dev.flashsale.load;

import java.time.Duration;

import dev.flashsale.system.Service;

/**
 * One stream of checkouts at a constant arrival rate: the open workload model, in which requests arrive on
 * schedule whether or not earlier ones have been answered, so a slow server shows its latency instead of
 * hiding it by slowing the load down (no coordinated omission).
 *
 * @param name what the stream is, in the report (e.g. {@code async-500})
 * @param checkout which checkout it calls
 * @param rate requests per second
 * @param duration how long requests arrive
 * @param invalidShare the share of requests (0 to 1) that carry an invalid order, which must be refused and
 *        never applied
 * @param ramp whether the rate grows from one request a second to {@code rate} over the duration (a warm-up: cold
 *        JVMs meet a load they can take while their JIT compilers catch up) instead of starting at {@code rate}
 * @param expressShare the share of valid orders (0 to 1) placed as express orders, whose mail skips the email queue's
 *        backlog
 */
record LoadStream(String name, Checkout checkout, double rate, Duration duration, double invalidShare, boolean ramp,
        double expressShare) {

    LoadStream(String name, Checkout checkout, double rate, Duration duration, double invalidShare) {
        this(name, checkout, rate, duration, invalidShare, false);
    }

    LoadStream(String name, Checkout checkout, double rate, Duration duration, double invalidShare, boolean ramp) {
        this(name, checkout, rate, duration, invalidShare, ramp, 0);
    }

    /** The same stream, with this share of its valid orders placed as express orders. */
    LoadStream withExpressShare(double share) {
        return new LoadStream(name, checkout, rate, duration, invalidShare, ramp, share);
    }

    /** The checkouts: the order-service's two, and the same asynchronous one on the Spring Modulith peer. */
    enum Checkout {

        ASYNC(Service.ORDER_SERVICE, "/api/orders", 202),
        SYNC(Service.ORDER_SERVICE, "/api/orders/sync", 201),
        MODULITH(Service.MODULITH_CHECKOUT, "/api/orders", 202);

        private final Service service;
        private final String path;
        private final int accepted;

        Checkout(Service service, String path, int accepted) {
            this.service = service;
            this.path = path;
            this.accepted = accepted;
        }

        /** The process that answers it. */
        Service service() {
            return service;
        }

        String path() {
            return path;
        }

        int acceptedStatus() {
            return accepted;
        }
    }

    LoadStream {
        if (rate <= 0 || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("A stream needs a positive rate and duration: " + name);
        }
    }

    /** About how many requests the stream sends. */
    long requests() {
        double average = ramp ? (1 + rate) / 2 : rate;
        return Math.round(average * duration.toMillis() / 1000.0);
    }
}
