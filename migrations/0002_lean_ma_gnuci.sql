CREATE TABLE `channels` (
	`id` text PRIMARY KEY NOT NULL,
	`warehouses` text NOT NULL,
	`safety_stock` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `stock_projection` ADD `low_stock_threshold` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `stock_projection` ADD `reorder_quantity` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `stock_projection` ADD `shards` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
CREATE INDEX `stock_projection_warehouse_sku` ON `stock_projection` (`warehouse`,`sku`);