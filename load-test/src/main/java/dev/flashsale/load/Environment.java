package dev.flashsale.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The machine a benchmark ran on, for the report: figures mean little without it. */
final class Environment {

    private Environment() {
    }

    static Map<String, String> describe(ServiceJvm services) {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("cpus", String.valueOf(Runtime.getRuntime().availableProcessors()));
        facts.put("cpu", firstLine("/proc/cpuinfo", "model name"));
        facts.put("memory", firstLine("/proc/meminfo", "MemTotal"));
        facts.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        facts.put("services' JVM", services.describe());
        facts.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        return facts;
    }

    private static String firstLine(String file, String key) {
        try {
            return Files.readAllLines(Path.of(file)).stream().filter(line -> line.startsWith(key))
                    .map(line -> line.substring(line.indexOf(':') + 1).trim()).findFirst().orElse("?");
        }
        catch (IOException ex) {
            return "?";
        }
    }
}
