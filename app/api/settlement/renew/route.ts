import { settlementRenew } from "@/lib/settlement/handlers";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";
export const POST = settlementRenew;
