"use client";
import { useSyncExternalStore } from "react";

const subscribe = () => () => {};

/**
 * false in the server HTML and until React has hydrated. Submit buttons stay disabled until then:
 * a form submitted natively before hydration would send the password in a plain GET.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
}
