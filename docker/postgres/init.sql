-- One database per service: each owns its data, as the services would on separate servers.
CREATE DATABASE orders;
CREATE DATABASE email;
CREATE DATABASE inventory;
CREATE DATABASE analytics;
