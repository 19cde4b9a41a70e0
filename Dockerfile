# syntax=docker/dockerfile:1
# One image per service, all from this repository, on Java 25 (Temurin: its JDK builds, its JRE runs):
#   docker build --build-arg SERVICE=inventory-worker -t flashsale/inventory-worker .
# docker-compose.yml builds the four of them; the compile comes before SERVICE is read, so it runs once for all four.

FROM eclipse-temurin:25-jdk AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -q -B -DskipTests package -pl order-service,email-worker,inventory-worker,analytics-worker -am
ARG SERVICE
RUN test -n "$SERVICE" || (echo "Set --build-arg SERVICE=<order-service|email-worker|inventory-worker|analytics-worker>" && false)
# The jar split into Spring Boot's layers, least often changed first, with Boot's launcher: a change to the code makes
# a new last layer only, and the layers below it come from the cache (docs: "Efficient Container Images").
RUN java -Djarmode=tools -jar "${SERVICE}/target/${SERVICE}-0.1.0-SNAPSHOT.jar" extract --layers --launcher --destination /layers

FROM eclipse-temurin:25-jre
# A user of its own, named by number below, so that Kubernetes' runAsNonRoot can tell it is not root without reading
# /etc/passwd. It owns ./data only (the embedded H2 database, when the service runs without PostgreSQL); the
# application's files stay root's, read-only to it.
RUN groupadd --system --gid 10001 flashsale \
    && useradd --system --uid 10001 --gid flashsale --no-create-home --shell /usr/sbin/nologin flashsale \
    && install -d -o flashsale -g flashsale /app/data
WORKDIR /app
COPY --from=build /layers/dependencies/ ./
COPY --from=build /layers/spring-boot-loader/ ./
COPY --from=build /layers/snapshot-dependencies/ ./
COPY --from=build /layers/application/ ./
USER 10001:10001
# The benchmark's choice for the workers (scripts/jvm.sh, docs/decisions.md): a fixed 1 GB heap and the serial
# collector, which did best with the services and the broker sharing two cores; generational ZGC's concurrent threads
# competed for them. docker-compose.yml gives the order-service its 2 GB young generation, as the benchmark does.
# JDK_JAVA_OPTIONS is read by the java launcher only (which says so on its first line of output), so that a service's
# options are changed with an environment variable, not a new image. Virtual threads: on, from application.yml.
ENV JDK_JAVA_OPTIONS="-Xms1g -Xmx1g -XX:+UseSerialGC"
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
