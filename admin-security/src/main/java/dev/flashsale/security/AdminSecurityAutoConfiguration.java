package dev.flashsale.security;

import java.io.IOException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration;
import org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Who may call what, the same in every service: admin operations ({@code /api/admin/**}) and every
 * actuator endpoint but health, metrics and prometheus need the admin credentials (HTTP basic, see
 * {@link AdminCredentials}); everything else (the checkout, a worker's stats and lookups) is open.
 *
 * <p>Health answers without details, so an open health endpoint tells a load balancer "up" or "down" and
 * nothing about the databases and brokers behind it. An actuator endpoint that someone exposes later
 * ({@code env}, {@code beans}, {@code loggers}) is behind the credentials from the start.
 */
@AutoConfiguration(before = { ServletWebSecurityAutoConfiguration.class, ManagementWebSecurityAutoConfiguration.class })
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
public class AdminSecurityAutoConfiguration {

    /** The path prefix of every admin operation. */
    public static final String ADMIN_PATHS = "/api/admin/**";

    /** A request sent by a page's script says so with this header, a convention Spring Security's own default follows too. */
    static final String X_REQUESTED_WITH = "X-Requested-With";

    @Bean
    SecurityFilterChain adminSecurity(HttpSecurity http) throws Exception {
        return http
                .authorizeHttpRequests(requests -> requests
                        .requestMatchers(EndpointRequest.to("health", "metrics", "prometheus")).permitAll()
                        .requestMatchers(EndpointRequest.toAnyEndpoint()).authenticated()
                        .requestMatchers(ADMIN_PATHS).authenticated()
                        .anyRequest().permitAll())
                .httpBasic(basic -> basic.authenticationEntryPoint(AdminSecurityAutoConfiguration::unauthorized))
                // A stateless API for scripts and tools, with no browser session to forge requests with.
                .csrf(csrf -> csrf.disable())
                .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .build();
    }

    /**
     * Missing or wrong credentials: a 401 with the basic challenge and an RFC 9457 problem, like every other
     * error of the services' APIs. The request goes no further, so nothing has changed.
     *
     * <p>A page's script (the dashboard) gets the 401 without the challenge. With it, the browser would show its
     * own login dialog and then remember the credentials and send them with every later request to the service,
     * also with requests another site's page makes it send: a forged admin request (the API has no CSRF tokens,
     * because it has no browser session). Without the challenge the page asks for the credentials itself and sends
     * them explicitly, which another site's page cannot do.
     */
    private static void unauthorized(HttpServletRequest request, HttpServletResponse response, AuthenticationException ex)
            throws IOException {
        response.setStatus(HttpStatus.UNAUTHORIZED.value());
        if (!"XMLHttpRequest".equals(request.getHeader(X_REQUESTED_WITH))) {
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"flashsale-admin\"");
        }
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write("{\"type\":\"about:blank\",\"title\":\"Unauthorized\",\"status\":401,"
                + "\"detail\":\"This operation needs the admin credentials (HTTP basic).\"}");
    }
}
