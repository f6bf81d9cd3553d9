import { clsx, type ClassValue } from "clsx";
import { twMerge } from "tailwind-merge";

/** joins class names (clsx) and lets a later Tailwind class win over an earlier one (tailwind-merge) */
export function cn(...inputs: ClassValue[]): string {
  return twMerge(clsx(inputs));
}
