package dev.flashsale.security;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.cfg.EnumFeature;
import tools.jackson.databind.type.LogicalType;

/**
 * Every service's HTTP API reads JSON strictly: a request that is not exactly what the API describes is refused with a
 * 400, never guessed at. A misspelt field ({@code "quantitiy"}, {@code "consumng"}) would otherwise be dropped,
 * {@code 2.7} items rounded to 2, {@code "2"} taken for a number, {@code "false"} or {@code 0} for {@code false}, {@code 1}
 * for the second value of an enum, and of two {@code "currency"} keys one silently ignored: each would place an order,
 * or turn an admin knob, the client did not mean. Text fields take JSON strings only: Jackson would otherwise read
 * {@code 42}, {@code true} or {@code 1e400} into a text field as {@code "42"}, {@code "true"} or {@code "1e400"}, whatever
 * scalar coercion says.
 *
 * <p>The workers read events the other way, as tolerant readers (see common-events' README and the workers'
 * {@code OrderPlacedMessageConverter}, which has a reader of its own): the APIs guard against client mistakes, the
 * internal events against version skew.
 */
@AutoConfiguration
public class StrictJsonAutoConfiguration {

    @Bean
    JsonMapperBuilderCustomizer strictJsonReading() {
        return builder -> builder
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(EnumFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .withCoercionConfig(LogicalType.Textual, text -> text
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail));
    }
}
