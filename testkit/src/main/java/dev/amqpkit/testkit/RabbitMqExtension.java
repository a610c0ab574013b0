package dev.amqpkit.testkit;

import dev.amqpkit.testkit.amqp091.WireConnection;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The JUnit 5 extension behind {@link RequiresRabbitMq}: finds the broker once per test run, skips
 * or fails the tests when it does not answer, hands each test a {@link RabbitMq}, and deletes what
 * the test declared through it.
 */
public final class RabbitMqExtension
    implements ExecutionCondition, ParameterResolver, AfterEachCallback {

  /** Configuration parameter or system property naming the broker URI. */
  public static final String URI_PROPERTY = "amqpkit.rabbitmq.uri";

  /** Environment variable naming the broker URI. */
  public static final String URI_ENV = "AMQPKIT_RABBITMQ_URI";

  /**
   * Configuration parameter or system property that, when {@code true}, fails absent-broker tests.
   */
  public static final String REQUIRE_PROPERTY = "amqpkit.rabbitmq.require";

  /** Environment variable that, when {@code true}, fails tests instead of skipping them. */
  public static final String REQUIRE_ENV = "AMQPKIT_REQUIRE_BROKER";

  /** The broker used when no URI is configured. */
  public static final String DEFAULT_URI = "amqp://guest:guest@127.0.0.1:5672/";

  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(RabbitMqExtension.class);

  /** Whether the broker answered when first asked in this run, and if not, why. */
  record Availability(BrokerEndpoint endpoint, String problem) {
    boolean answers() {
      return problem == null;
    }

    String skipLine() {
      return "RabbitMQ does not answer at "
          + endpoint
          + " ("
          + problem
          + "): start one with `rabbitmq-server -detached`, or point "
          + URI_ENV
          + " at one";
    }
  }

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    Availability availability = availability(context);
    if (availability.answers()) {
      return ConditionEvaluationResult.enabled("RabbitMQ answers at " + availability.endpoint());
    }
    if (required(context)) {
      throw new ExtensionConfigurationException(
          availability.skipLine() + "; " + REQUIRE_ENV + "=true makes that a failure");
    }
    return ConditionEvaluationResult.disabled(availability.skipLine());
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == RabbitMq.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    ExtensionContext test = context;
    return context
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            RabbitMq.class,
            key -> new RabbitMq(availability(test).endpoint(), owner(test)),
            RabbitMq.class);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    RabbitMq broker = context.getStore(NAMESPACE).remove(RabbitMq.class, RabbitMq.class);
    if (broker != null) broker.cleanUp();
  }

  private static String owner(ExtensionContext context) {
    String className = context.getRequiredTestClass().getSimpleName();
    return context.getTestMethod().map(m -> className + "." + m.getName()).orElse(className);
  }

  private static Availability availability(ExtensionContext context) {
    BrokerEndpoint endpoint =
        BrokerEndpoint.parse(configured(context, URI_PROPERTY, URI_ENV).orElse(DEFAULT_URI));
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(endpoint.uri(), key -> probe(endpoint), Availability.class);
  }

  private static Availability probe(BrokerEndpoint endpoint) {
    try {
      WireConnection.probe(endpoint.host(), endpoint.port(), PROBE_TIMEOUT);
      return new Availability(endpoint, null);
    } catch (IOException e) {
      Availability absent = new Availability(endpoint, e.getMessage());
      System.err.println("amqpkit-testkit: " + absent.skipLine());
      return absent;
    }
  }

  private static boolean required(ExtensionContext context) {
    return configured(context, REQUIRE_PROPERTY, REQUIRE_ENV)
        .map(Boolean::parseBoolean)
        .orElse(false);
  }

  private static Optional<String> configured(
      ExtensionContext context, String property, String environmentVariable) {
    Optional<String> fromJUnit = context.getConfigurationParameter(property);
    if (fromJUnit.isPresent()) return fromJUnit.filter(s -> !s.isBlank());
    return Optional.ofNullable(System.getenv(environmentVariable)).filter(s -> !s.isBlank());
  }
}
