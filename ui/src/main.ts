/** Entry point: the stylesheets, the routing after a failed command, and start-up. */
// The stylesheets, all here so that the cascade's order is this list's: the shared rules first, then
// each screen's, in the order their rules had in the one stylesheet they came from (see styles/base.css).
import "./styles/base.css";
import "./styles/setup.css";
import "./styles/session.css";
import "./styles/login.css";
import "./styles/damaged.css";
import "./styles/close.css";
import "./styles/sale.css";
import "./styles/refund.css";
import "./styles/print.css";
import "./styles/approval.css";
import "./styles/cash.css";
import "./styles/reports.css";
import "./styles/forgotten.css";
import "./styles/day.css";
import "./styles/devices.css";
import { route, routeAfterError } from "./router";
import { startCustomerFeed } from "./customer-feed";
import { startPrinterBanner } from "./printer-banner";
import { startForgottenPoller } from "./screens/forgotten";
import { renderAbout, UPDATE_POLL_MS } from "./shell";
import { onCommandError } from "./ui";

onCommandError(routeAfterError);
void route();
void renderAbout();
startForgottenPoller();
startPrinterBanner();
startCustomerFeed();
setInterval(() => void renderAbout(), UPDATE_POLL_MS);
