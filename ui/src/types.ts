/**
 * The IPC contract with the Rust backend (Tauri commands). Every request and answer type comes
 * generated from Rust (`bindings/`, ts-rs: till-core's and till-app's): never write one by hand
 * here; this file only re-exports them.
 */

export type { ErrorCode } from "./bindings/ErrorCode";
export type { Join } from "./bindings/Join";
export type { Location } from "./bindings/Location";
export type { PresetRate } from "./bindings/PresetRate";
export type { PresetView } from "./bindings/PresetView";
export type { Register } from "./bindings/Register";
export type { Role } from "./bindings/Role";
export type { SessionView } from "./bindings/SessionView";
export type { ShiftStartedView } from "./bindings/ShiftStartedView";
export type { User } from "./bindings/User";
export type { Category } from "./bindings/Category";
export type { Discount } from "./bindings/Discount";
export type { PrintedAnchor } from "./bindings/PrintedAnchor";
/** Why a priced cart needs a manager (not the manager's name and PIN: that is `Approval`). */
export type { Approval as ApprovalReason } from "./bindings/Approval";
export type { PricedCart } from "./bindings/PricedCart";
export type { CustomerLine } from "./bindings/CustomerLine";
export type { CustomerStage } from "./bindings/CustomerStage";
export type { CustomerView } from "./bindings/CustomerView";
export type { PricedLine } from "./bindings/PricedLine";
export type { Product } from "./bindings/Product";
export type { Receipt } from "./bindings/Receipt";
export type { RefundRequest } from "./bindings/RefundRequest";
export type { RefundReason } from "./bindings/RefundReason";
export type { PriceChangeReason } from "./bindings/PriceChangeReason";
export type { PriceChangeReasonKind } from "./bindings/PriceChangeReasonKind";
export type { RefundReasonKind } from "./bindings/RefundReasonKind";
export type { RefundQuote } from "./bindings/RefundQuote";
export type { RefundQuoteLine } from "./bindings/RefundQuoteLine";
export type { SaleLineRequest } from "./bindings/SaleLineRequest";
export type { SaleRequest } from "./bindings/SaleRequest";
export type { SessionTotals } from "./bindings/SessionTotals";
export type { Tender } from "./bindings/Tender";
export type { CashMovement } from "./bindings/CashMovement";
export type { CashReason } from "./bindings/CashReason";
export type { CloseCount } from "./bindings/CloseCount";
export type { DaySession } from "./bindings/DaySession";
export type { SignOffFigures } from "./bindings/SignOffFigures";
export type { DenominationCount } from "./bindings/DenominationCount";
export type { MovementKind } from "./bindings/MovementKind";
export type { XReport } from "./bindings/XReport";
export type { ZReport } from "./bindings/ZReport";
export type { VoidKind } from "./bindings/VoidKind";
export type { VoidLine } from "./bindings/VoidLine";
export type { VoidRecorded } from "./bindings/VoidRecorded";
export type { VoidedLine } from "./bindings/VoidedLine";

export type { ApiError } from "./bindings/ApiError";
export type { BackupAfterClose } from "./bindings/BackupAfterClose";
export type { DamagedView } from "./bindings/DamagedView";
export type { DatabaseKind } from "./bindings/DatabaseKind";
export type { DemoUser } from "./bindings/DemoUser";
export type { DeviceStatus } from "./bindings/DeviceStatus";
export type { BuildInfo } from "./bindings/BuildInfo";
export type { DrawerChoice } from "./bindings/DrawerChoice";
/** A manager's or admin's name and PIN, checked by the backend. */
export type { ManagerApproval as Approval } from "./bindings/ManagerApproval";
export type { NewStore } from "./bindings/NewStore";
export type { PrinterChoice } from "./bindings/PrinterChoice";
export type { PrinterStatusView } from "./bindings/PrinterStatusView";
export type { QuickKeys } from "./bindings/QuickKeys";
export type { SetupRequest } from "./bindings/SetupRequest";
export type { SetupResult } from "./bindings/SetupResult";
export type { UpdateState } from "./bindings/UpdateState";
export type { UpdateStatus } from "./bindings/UpdateStatus";
