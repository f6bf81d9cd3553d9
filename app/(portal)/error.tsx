"use client";
import { PageError } from "@/components/shell/page-error";

export default function SegmentError(props: { error: Error & { digest?: string }; reset: () => void }) {
  return <PageError {...props} />;
}
