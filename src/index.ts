import { createApp } from "./http/app";

export { Reservation } from "./reservations/Reservation";
export { SkuIndex } from "./stock/SkuIndex";
export { StockItem } from "./stock/StockItem";

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
