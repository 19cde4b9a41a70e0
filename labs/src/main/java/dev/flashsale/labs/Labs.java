package dev.flashsale.labs;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code java -jar labs.jar <lab> [arguments]}: runs one lab (see {@code docs/guide.md}); without a name, lists them.
 */
public final class Labs {

    private static final Map<String, Lab> LABS = new LinkedHashMap<>();

    static {
        for (Lab lab : List.<Lab>of(
                // in the order the guide meets them
                new QueuesLab(),
                new LifecycleLab(),
                new PubSubLab(),
                new DeliveryLab(),
                new BackoffLab(),
                new AttemptsLab(),
                new DeadLettersLab(),
                new OrderingLab(),
                new OverflowLab(),
                new StreamLab(),
                new PriorityLab()
        )) {
            LABS.put(lab.name(), lab);
        }
    }

    private Labs() {
    }

    public static void main(String[] args) throws Exception {
        Lab lab = args.length == 0 ? null : LABS.get(args[0]);
        if (lab == null) {
            System.err.println(args.length == 0 ? "Which lab?" : "No lab called " + args[0] + ".");
            System.err.println("Usage: scripts/lab.sh <lab> [arguments], one of:");
            LABS.values().forEach(each -> System.err.printf("  %-18s %s%n", each.name(), each.summary()));
            System.exit(2);
        }
        lab.run(Arrays.asList(args).subList(1, args.length));
        System.exit(0); // a lab closes what it opened; this only makes sure no stray client thread keeps it running
    }
}
