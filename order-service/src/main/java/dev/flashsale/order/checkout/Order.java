package dev.flashsale.order.checkout;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.OrderColumn;
import jakarta.persistence.PostLoad;
import jakarta.persistence.PostPersist;
import jakarta.persistence.Table;
import jakarta.persistence.Transient;
import org.springframework.data.domain.Persistable;

/** An order as the checkout accepted it: who, what, and the total the service computed. */
@Entity
@Table(name = "orders")
class Order implements Persistable<UUID> {

    @Id
    private UUID id;

    private String customerId;

    private String customerEmail;

    private String currency;

    private BigDecimal total;

    @Enumerated(EnumType.STRING)
    private OrderStatus status;

    private String idempotencyKey;

    /** SHA-256 of the request, to tell a retry of the same checkout from a different one under the same key. */
    private String requestHash;

    private Instant createdAt;

    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "order_lines", joinColumns = @JoinColumn(name = "order_id"))
    @OrderColumn(name = "line_no")
    private List<OrderLine> lines = new ArrayList<>();

    // The id is assigned here, not by the database: without this flag Spring Data would
    // take the order for an existing one and SELECT it before every insert.
    @Transient
    private boolean isNew = true;

    protected Order() {
    }

    Order(UUID id, String customerId, String customerEmail, String currency, List<OrderLine> lines,
            String idempotencyKey, String requestHash, Instant createdAt) {
        this.id = id;
        this.customerId = customerId;
        this.customerEmail = customerEmail;
        this.currency = currency;
        this.lines = new ArrayList<>(lines);
        this.total = lines.stream().map(OrderLine::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
        this.status = OrderStatus.ACCEPTED;
        this.idempotencyKey = idempotencyKey;
        this.requestHash = requestHash;
        this.createdAt = createdAt;
    }

    @Override
    public UUID getId() {
        return id;
    }

    @Override
    public boolean isNew() {
        return isNew;
    }

    @PostLoad
    @PostPersist
    void markNotNew() {
        isNew = false;
    }

    String customerId() {
        return customerId;
    }

    String customerEmail() {
        return customerEmail;
    }

    String currency() {
        return currency;
    }

    BigDecimal total() {
        return total;
    }

    OrderStatus status() {
        return status;
    }

    String requestHash() {
        return requestHash;
    }

    Instant createdAt() {
        return createdAt;
    }

    List<OrderLine> lines() {
        return List.copyOf(lines);
    }
}
