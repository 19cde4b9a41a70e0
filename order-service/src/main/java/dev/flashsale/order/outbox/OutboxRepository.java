package dev.flashsale.order.outbox;

import java.time.Instant;
import java.util.Collection;
import java.util.List;

import org.springframework.data.domain.Limit;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

interface OutboxRepository extends JpaRepository<OutboxMessage, Long> {

    /** Rows not yet confirmed by the broker and older than the cut-off, oldest first. */
    @Query("select m from OutboxMessage m where m.publishedAt is null and m.createdAt < :before order by m.id")
    List<OutboxMessage> findUnpublished(@Param("before") Instant before, Limit limit);

    @Modifying
    @Query("update OutboxMessage m set m.publishedAt = :at where m.id in :ids and m.publishedAt is null")
    int markPublished(@Param("ids") Collection<Long> ids, @Param("at") Instant at);

    @Modifying
    @Query("delete from OutboxMessage m where m.publishedAt < :before")
    int deletePublishedBefore(@Param("before") Instant before);
}
