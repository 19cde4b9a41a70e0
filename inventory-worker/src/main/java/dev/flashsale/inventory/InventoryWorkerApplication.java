package dev.flashsale.inventory;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The inventory worker: reserves stock for every order, never more than there is. */
@SpringBootApplication
public class InventoryWorkerApplication {

    public static void main(String[] args) {
        SpringApplication.run(InventoryWorkerApplication.class, args);
    }
}
