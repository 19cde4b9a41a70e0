package dev.flashsale.security;

import java.io.IOException;
import java.util.List;
import java.util.regex.Pattern;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.security.autoconfigure.SecurityProperties;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration;
import org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.firewall.RequestRejectedHandler;

/**
 * Who may call what, the same in every service (HTTP basic):
 * <ul>
 * <li>reads ({@code GET}, {@code HEAD}) are open: a worker's stats, an order, the dashboard;</li>
 * <li>admin operations ({@code /api/admin/**}) and every actuator endpoint but health, metrics and prometheus need the
 * admin credentials ({@link AdminCredentials});</li>
 * <li>a request a service opens on purpose, as an {@link AccessRule} bean, is open to anyone (the public checkout) or
 * to the other services with the service credentials ({@link ServiceCredentials}: a worker's synchronous endpoint);</li>
 * <li>anything else that may change state needs the admin credentials: an endpoint added later is closed until
 * someone opens it, never open until someone remembers to close it.</li>
 * </ul>
 *
 * <p>Health answers without details, so an open health endpoint tells a load balancer "up" or "down" and
 * nothing about the databases and brokers behind it. An actuator endpoint that someone exposes later
 * ({@code env}, {@code beans}, {@code loggers}) is behind the credentials from the start.
 */
@AutoConfiguration(before = { ServletWebSecurityAutoConfiguration.class, ManagementWebSecurityAutoConfiguration.class })
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@EnableConfigurationProperties({ SecurityProperties.class, ServiceCredentialsProperties.class })
public class AdminSecurityAutoConfiguration {

    /** The path prefix of every admin operation. */
    public static final String ADMIN_PATHS = "/api/admin/**";

    static final String ADMIN = "ADMIN";
    static final String SERVICE = "SERVICE";

    /** A password already stored with its encoding, e.g. {@code {bcrypt}$2a$...}; any other is taken as plain text. */
    private static final Pattern ENCODED = Pattern.compile("^\\{.+}.*$");

    /** A request sent by a page's script says so with this header, a convention Spring Security's own default follows too. */
    static final String X_REQUESTED_WITH = "X-Requested-With";

    @Bean
    SecurityFilterChain adminSecurity(HttpSecurity http, ObjectProvider<AccessRule> rules) throws Exception {
        List<AccessRule> opened = rules.orderedStream().toList();
        return http
                .authorizeHttpRequests(requests -> {
                    // Spring's own error page for a request that was let in (a 400 of the open checkout, say).
                    requests.dispatcherTypeMatchers(DispatcherType.ERROR).permitAll();
                    requests.requestMatchers(EndpointRequest.to("health", "metrics", "prometheus")).permitAll();
                    requests.requestMatchers(EndpointRequest.toAnyEndpoint()).hasRole(ADMIN);
                    requests.requestMatchers(ADMIN_PATHS).hasRole(ADMIN);
                    for (AccessRule rule : opened) {
                        var matcher = requests.requestMatchers(rule.method(), rule.path());
                        if (rule.caller() == AccessRule.Caller.ANYONE) {
                            matcher.permitAll();
                        }
                        else {
                            matcher.hasRole(SERVICE);
                        }
                    }
                    requests.requestMatchers(HttpMethod.GET).permitAll();
                    requests.requestMatchers(HttpMethod.HEAD).permitAll();
                    requests.anyRequest().hasRole(ADMIN);
                })
                .httpBasic(basic -> basic.authenticationEntryPoint(AdminSecurityAutoConfiguration::unauthorized))
                .exceptionHandling(errors -> errors.accessDeniedHandler((request, response, denied) -> problem(response,
                        HttpStatus.FORBIDDEN, "These credentials do not allow this operation.")))
                // A stateless API for scripts and tools, with no browser session to forge requests with.
                .csrf(csrf -> csrf.disable())
                .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .build();
    }

    /**
     * A request that Spring Security's firewall refuses before anything else sees it (an encoded NUL, {@code ..} or
     * {@code //} in the path): a 400 problem, like every other refusal.
     */
    @Bean
    RequestRejectedHandler problemForRejectedRequests() {
        return (request, response, rejected) -> problem(response, HttpStatus.BAD_REQUEST,
                "The request's path or headers are not allowed here (an encoded NUL, '..', '//' or the like).");
    }

    /**
     * The two users: the admin ({@code spring.security.user.*}) and the service user that the services call each other
     * as ({@code flashsale.security.service.*}). Spring Boot's own user, made from {@code spring.security.user.*} alone,
     * steps aside for this.
     */
    @Bean
    UserDetailsService flashsaleUsers(SecurityProperties security,
            ServiceCredentialsProperties service) {
        if (security.getUser().getName().equals(service.username())) {
            throw new IllegalStateException("The admin and the service user are both called '" + service.username()
                    + "': give them different names (spring.security.user.name, flashsale.security.service.username)");
        }
        InMemoryUserDetailsManager users = new InMemoryUserDetailsManager(
                User.withUsername(security.getUser().getName()).password(stored(security.getUser().getPassword())).roles(ADMIN).build(),
                User.withUsername(service.username()).password(stored(service.password())).roles(SERVICE).build());
        // The look-up alone, not the manager: as a UserDetailsPasswordService the manager lets Spring Security "upgrade"
        // a {noop} password to bcrypt after its first use, and every later request then pays a bcrypt check (150 ms of
        // CPU here, seconds for each synchronous checkout under load, which calls three workers).
        return users::loadUserByUsername;
    }

    private static String stored(String password) {
        return ENCODED.matcher(password).matches() ? password : "{noop}" + password;
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
        if (!"XMLHttpRequest".equals(request.getHeader(X_REQUESTED_WITH))) {
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"flashsale-admin\"");
        }
        problem(response, HttpStatus.UNAUTHORIZED, "This operation needs credentials (HTTP basic): the admin's, or for a call "
                + "between the services, the service credentials.");
    }

    /** An RFC 9457 problem, written before the request reaches any application code. */
    private static void problem(HttpServletResponse response, HttpStatus status, String detail) throws IOException {
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write("{\"type\":\"about:blank\",\"title\":\"" + status.getReasonPhrase() + "\",\"status\":"
                + status.value() + ",\"detail\":\"" + detail + "\"}");
    }
}
