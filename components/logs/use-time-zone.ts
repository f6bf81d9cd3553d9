"use client";
import { useState } from "react";

/** the reader's IANA time zone (the chart's days, the CSV's times); UTC on the server, where nothing is fetched */
export function useTimeZone() {
  const [tz] = useState(() =>
    typeof window === "undefined" ? "UTC" : Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC",
  );
  return tz;
}
