package dev.amqpkit.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class or method that needs a running RabbitMQ. Its test methods may take a {@link
 * RabbitMq} parameter: the broker's endpoint, unique names for what the test declares, and an admin
 * connection; what the test declared through those names is deleted after it.
 *
 * <p>The broker is found at the URI in the configuration parameter or system property {@value
 * RabbitMqExtension#URI_PROPERTY}, else the environment variable {@value
 * RabbitMqExtension#URI_ENV}, else {@value RabbitMqExtension#DEFAULT_URI}. When nothing answers
 * there, the tests are skipped with one line saying how to start a broker, unless {@value
 * RabbitMqExtension#REQUIRE_ENV} (or {@value RabbitMqExtension#REQUIRE_PROPERTY}) is {@code true},
 * in which case they fail.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Tag("rabbitmq")
@ExtendWith(RabbitMqExtension.class)
public @interface RequiresRabbitMq {}
