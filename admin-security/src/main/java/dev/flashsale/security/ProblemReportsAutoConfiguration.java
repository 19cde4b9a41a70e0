package dev.flashsale.security;

import org.apache.catalina.core.StandardHost;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;

/**
 * Every refusal of every service is an RFC 9457 problem, also the ones the web server makes itself: Tomcat's error
 * report is replaced by {@link ProblemReportValve}. And a client that asks first ({@code Expect: 100-continue}) is
 * refused before it sends a body the service would not read.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(TomcatServletWebServerFactory.class)
public class ProblemReportsAutoConfiguration {

    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemReports() {
        return factory -> factory.addContextCustomizers(context -> {
            if (context.getParent() instanceof StandardHost host) {
                host.setErrorReportValveClass(ProblemReportValve.class.getName());
            }
        });
    }

    /**
     * Tomcat answers {@code Expect: 100-continue} at once by default, so the client sends its body even when the
     * service refuses it unread (too large, no credentials), and the refusal can meet a connection reset while the
     * body is still on its way. Said only when the application reads the body, the refusal comes instead of the
     * {@code 100 Continue}, and the body is never sent.
     */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> continueOnlyWhenTheBodyIsRead() {
        return factory -> factory.addConnectorCustomizers(connector -> connector.setProperty("continueResponseTiming", "onRead"));
    }
}
