"use client";
import { signOut } from "next-auth/react";
import { useState } from "react";
import { useT } from "@/components/i18n/i18n-provider";
import { Button } from "@/components/ui/button";

export function SignOutButton({ className }: { className?: string }) {
  const t = useT();
  const [pending, setPending] = useState(false);
  return (
    <Button
      variant="secondary"
      size="sm"
      className={className}
      disabled={pending}
      onClick={() => {
        setPending(true);
        void signOut({ callbackUrl: "/login?signedOut=1" });
      }}
    >
      {pending ? t("shell.signingOut") : t("shell.signOut")}
    </Button>
  );
}
