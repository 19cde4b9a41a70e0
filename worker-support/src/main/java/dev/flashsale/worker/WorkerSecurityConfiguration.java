package dev.flashsale.worker;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The admin endpoints need HTTP basic credentials ({@code spring.security.user.name} and
 * {@code .password}: set by configuration, with a default only in the {@code local} profile);
 * stats, lookups and the actuator stay open.
 */
@Configuration(proxyBeanMethods = false)
class WorkerSecurityConfiguration {

    @Bean
    SecurityFilterChain workerSecurity(HttpSecurity http) throws Exception {
        return http
                .authorizeHttpRequests(requests -> requests
                        .requestMatchers("/api/admin/**").authenticated()
                        .anyRequest().permitAll())
                .httpBasic(Customizer.withDefaults())
                // A stateless API for scripts and tools, with no browser session to forge requests with.
                .csrf(csrf -> csrf.disable())
                .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .build();
    }
}
