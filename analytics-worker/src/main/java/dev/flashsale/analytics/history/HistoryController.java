package dev.flashsale.analytics.history;

import java.time.Instant;

import dev.flashsale.analytics.sales.RebuildInProgressException;

import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/admin/history/rebuild}: rebuild the figures from the history stream (admin), from its first offset
 * or from {@code ?from=<ISO instant>}; {@code GET /api/analytics/history/rebuild}: how far it has got.
 */
@RestController
class HistoryController {

    private final HistoryRebuild rebuild;

    HistoryController(HistoryRebuild rebuild) {
        this.rebuild = rebuild;
    }

    @PostMapping("/api/admin/history/rebuild")
    @ResponseStatus(HttpStatus.ACCEPTED)
    RebuildStatus rebuild(@RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant from) {
        return rebuild.start(from);
    }

    @GetMapping("/api/analytics/history/rebuild")
    RebuildStatus status() {
        return rebuild.status();
    }

    @ExceptionHandler(RebuildInProgressException.class)
    ProblemDetail inProgress(RebuildInProgressException ex) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, ex.getMessage());
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ProblemDetail badTime(IllegalArgumentException ex) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, ex.getMessage());
    }
}
