package dev.flashsale.modulith;

import org.springframework.modulith.events.core.EventSerializer;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * How the registry stores an event and reads it back to send it again: with a mapper of its own, not the application's.
 * The application's mapper reads requests strictly (admin-security's {@code StrictJsonAutoConfiguration}), and refused
 * the amounts that {@code OrderPlaced} itself writes as strings: every resubmission failed while deserializing, so a
 * publication left incomplete was never sent again (found by {@code ModulithCheckoutTests}). The stored event is read
 * as the workers read the event on the wire, tolerantly.
 */
@Component
class TolerantEventSerializer implements EventSerializer {

    private final JsonMapper json = JsonMapper.builder().build();

    @Override
    public Object serialize(Object event) {
        return json.writeValueAsString(event);
    }

    @Override
    public <T> T deserialize(Object serialized, Class<T> type) {
        return json.readValue(serialized.toString(), type);
    }
}
