// Mounts the framework-free endpoint (lib/relay); nothing else belongs here.
import { tokenUsage } from "@/lib/relay";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = tokenUsage;
