package dev.flashsale.inventory.stock;

import java.util.List;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** The stock levels, to watch a flash sale sell out. */
@RestController
class StockController {

    private final StockRepository stock;

    StockController(StockRepository stock) {
        this.stock = stock;
    }

    @GetMapping("/api/stock")
    List<StockLevel> all() {
        return stock.findAll();
    }

    @GetMapping("/api/stock/{sku}")
    ResponseEntity<StockLevel> one(@PathVariable String sku) {
        return ResponseEntity.of(stock.find(sku));
    }
}
