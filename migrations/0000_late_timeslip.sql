CREATE TABLE `events` (
	`pos` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`sku` text NOT NULL,
	`warehouse` text NOT NULL,
	`seq` integer NOT NULL,
	`type` text NOT NULL,
	`on_hand_delta` integer NOT NULL,
	`reserved_delta` integer NOT NULL,
	`on_hand` integer NOT NULL,
	`reserved` integer NOT NULL,
	`reservation_id` text,
	`reason` text,
	`reference` text,
	`at` text NOT NULL,
	`at_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `events_id_unique` ON `events` (`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `events_item_seq_unique` ON `events` (`sku`,`warehouse`,`seq`);--> statement-breakpoint
CREATE INDEX `events_item_pos` ON `events` (`sku`,`warehouse`,`pos`);--> statement-breakpoint
CREATE INDEX `events_item_time` ON `events` (`sku`,`warehouse`,`at_ms`);--> statement-breakpoint
CREATE INDEX `events_type_pos` ON `events` (`type`,`pos`);--> statement-breakpoint
CREATE TABLE `stock_projection` (
	`sku` text NOT NULL,
	`warehouse` text NOT NULL,
	`on_hand` integer NOT NULL,
	`reserved` integer NOT NULL,
	`last_seq` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`sku`, `warehouse`)
);
