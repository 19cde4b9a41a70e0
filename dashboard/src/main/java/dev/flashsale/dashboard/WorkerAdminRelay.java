package dev.flashsale.dashboard;

import java.util.regex.Pattern;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClientException;

/**
 * The workers' admin APIs, reached through the order-service so that the page talks to one origin:
 * {@code /api/admin/workers/{worker}/faults}, {@code .../consumption}, {@code .../consumption/max-rate},
 * {@code .../dead-letters/**} and {@code .../history/rebuild} are sent on, as they came, to the worker's own
 * {@code /api/admin/faults}, {@code /api/admin/consumption}, {@code /api/admin/consumption/max-rate},
 * {@code /api/admin/dead-letters/**} and {@code /api/admin/history/rebuild}, and the worker's answer comes back unchanged.
 *
 * <p>The caller's {@code Authorization} header goes along: the order-service has already checked it (the path is under
 * {@code /api/admin}, see admin-security), and the worker checks it again, so the order-service holds no credentials of
 * its own for the workers. Every service has the same admin credentials; a worker that refuses them is a configuration
 * error, answered as a 502 that says so, not as a 401 that would tell the caller its (valid) credentials are wrong.
 */
@RestController
class WorkerAdminRelay {

    private static final Logger log = LoggerFactory.getLogger(WorkerAdminRelay.class);

    /** What may be relayed: the workers' admin operations, and no other path (no "..", no encoded characters). */
    private static final Pattern RELAYED = Pattern.compile("/(faults|consumption(/max-rate)?|dead-letters(/[A-Za-z0-9-]+)*|history/rebuild)");

    private final WorkerApis workers;

    WorkerAdminRelay(WorkerApis workers) {
        this.workers = workers;
    }

    @RequestMapping(path = "/api/admin/workers/{worker}/{*path}",
            method = { RequestMethod.GET, RequestMethod.PUT, RequestMethod.POST, RequestMethod.DELETE })
    ResponseEntity<?> relay(@PathVariable String worker, @PathVariable String path, HttpMethod method, HttpServletRequest request,
            @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) @Nullable String authorization,
            @RequestHeader(name = HttpHeaders.CONTENT_TYPE, required = false) @Nullable String contentType,
            @RequestBody(required = false) byte @Nullable [] body) {
        WorkerApi api = workers.named(worker).orElse(null);
        if (api == null || !RELAYED.matcher(path).matches()) {
            return Problems.of(HttpStatus.NOT_FOUND, "No such worker admin operation",
                    "The workers are " + workers.all().stream().map(WorkerApi::name).toList()
                            + "; their admin operations are faults, consumption, consumption/max-rate, dead-letters and"
                            + " (the analytics worker's) history/rebuild.");
        }
        ResponseEntity<byte[]> answer;
        try {
            answer = api.relay(method, path, request.getQueryString(), authorization, contentType, body);
        }
        catch (RestClientException ex) {
            log.warn("Relaying {} {} to {} failed: {}", method, path, worker, ex.getMostSpecificCause().toString());
            return Problems.of(HttpStatus.BAD_GATEWAY, "Worker unreachable", worker + " could not be reached, or did not answer in time.");
        }
        if (answer.getStatusCode().value() == HttpStatus.UNAUTHORIZED.value()) {
            return Problems.of(HttpStatus.BAD_GATEWAY, "Worker refused the admin credentials", worker + " refused the admin credentials"
                    + " that the order-service accepted: every service must be given the same (spring.security.user.*).");
        }
        return answer;
    }
}
