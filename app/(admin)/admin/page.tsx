import { redirect } from "next/navigation";
import { requireAdmin } from "@/lib/auth";

export default async function AdminIndex() {
  await requireAdmin();
  redirect("/admin/users");
}
