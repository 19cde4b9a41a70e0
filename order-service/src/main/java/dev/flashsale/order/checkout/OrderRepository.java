package dev.flashsale.order.checkout;

import java.util.Collection;
import java.util.Optional;
import java.util.UUID;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

interface OrderRepository extends JpaRepository<Order, UUID> {

    Optional<Order> findByIdempotencyKey(String idempotencyKey);

    @Modifying
    @Query("update Order o set o.status = :status where o.id in :ids")
    int updateStatus(@Param("ids") Collection<UUID> ids, @Param("status") OrderStatus status);
}
