// Any other /v1 path: OpenAI's 404 body (lib/relay).
import { unknownRoute } from "@/lib/relay/mount";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = unknownRoute;
export const POST = unknownRoute;
export const PUT = unknownRoute;
export const PATCH = unknownRoute;
export const DELETE = unknownRoute;
