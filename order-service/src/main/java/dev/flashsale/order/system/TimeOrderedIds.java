package dev.flashsale.order.system;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * UUIDs that sort by creation time (version 7, RFC 9562): 48 bits of Unix milliseconds, then random bits.
 *
 * <p>Order ids and event ids are primary keys and unique indexes. A random (version 4) UUID lands anywhere in a
 * B-tree, so every new order dirties a different index page; time-ordered ids append at the right-hand edge,
 * where the pages are already in memory and a group commit writes a few pages instead of hundreds. They stay
 * unguessable enough for ids (74 random bits) and need no coordination.
 */
public final class TimeOrderedIds {

    private static final SecureRandom RANDOM = new SecureRandom();

    private TimeOrderedIds() {
    }

    public static UUID next() {
        long millis = System.currentTimeMillis();
        long random = RANDOM.nextLong();
        // version 7 in bits 48-51 of the high long; 12 random bits after it
        long high = (millis << 16) | 0x7000L | ((random >>> 52) & 0x0FFFL);
        // variant 0b10 in the top two bits of the low long; 62 random bits after it
        long low = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low);
    }
}
