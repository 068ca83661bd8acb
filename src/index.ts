import { consumeEvents } from "./events/consumer";
import { createApp } from "./http/app";

export { Reservation } from "./reservations/LegacyReservation";
export { ReservationCoordinator } from "./reservations/ReservationCoordinator";
export { SkuDirectory } from "./stock/SkuDirectory";
export { SkuIndex } from "./stock/SkuIndex";
export { StockItem } from "./stock/StockItem";

const app = createApp();

export default {
  fetch: app.fetch,
  queue: consumeEvents,
} satisfies ExportedHandler<Env>;
