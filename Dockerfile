# syntax=docker/dockerfile:1
# One image per service, all from this repository:
#   docker build --build-arg SERVICE=inventory-worker -t flashsale/inventory-worker .
# docker-compose.yml builds the four of them; the build stage is shared, so the sources compile once.

FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -q -B -DskipTests package -pl order-service,email-worker,inventory-worker,analytics-worker -am

FROM eclipse-temurin:17-jre
ARG SERVICE
RUN test -n "$SERVICE" || (echo "Set --build-arg SERVICE=<order-service|email-worker|inventory-worker|analytics-worker>" && false)
RUN useradd --system --create-home flashsale
USER flashsale
WORKDIR /home/flashsale
COPY --from=build /src/${SERVICE}/target/${SERVICE}-0.1.0-SNAPSHOT.jar app.jar
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "app.jar"]
