import { settlementOpenApi } from "@/lib/settlement/openapi";

export const dynamic = "force-static";
export const GET = () => Response.json(settlementOpenApi());
