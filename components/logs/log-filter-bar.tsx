"use client";
import { RotateCcw, Search } from "lucide-react";
import { useId, type FormEvent, type ReactNode } from "react";
import { useI18n } from "@/components/i18n/i18n-provider";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { LOG_TYPE } from "@/lib/quota/row-types";
import type { LogViewScope } from "@/lib/logs/query-keys";
import { RANGE_PRESETS, type LogUrlPatch, type LogUrlState, type Range } from "./use-log-filters";

const LOG_TYPE_OPTIONS = [
  LOG_TYPE.consume,
  LOG_TYPE.topup,
  LOG_TYPE.manage,
  LOG_TYPE.system,
  LOG_TYPE.refund,
  LOG_TYPE.error,
  LOG_TYPE.login,
] as const;

const DAY = 86_400_000;

/** epoch ms -> the local day "yyyy-mm-dd" of a date input */
export function toDateInput(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** "yyyy-mm-dd" -> local midnight, epoch ms */
export function fromDateInput(s: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return null;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])).getTime();
}

const msOf = (s: string | null) => (s && /^\d{1,15}$/.test(s) ? Number(s) : null);

function Labelled({ label, children }: { label: string; children: (id: string) => ReactNode }) {
  const id = useId();
  return (
    <div className="min-w-0 space-y-1">
      <label htmlFor={id} className="block text-xs font-medium text-zinc-600 dark:text-zinc-400">
        {label}
      </label>
      {children(id)}
    </div>
  );
}

/**
 * The filters of a log page. Selects apply at once; the text fields apply on "Search" (or Enter),
 * so typing does not fire a query per key.
 */
export function LogFilterBar({
  scope,
  state,
  range,
  onChange,
  onReset,
  keyNames,
  channels,
}: {
  scope: LogViewScope;
  state: LogUrlState;
  range: Range;
  onChange: (patch: LogUrlPatch) => void;
  onReset: () => void;
  keyNames?: string[];
  channels?: { id: number; name: string }[];
}) {
  const { t } = useI18n();
  const keyListId = useId();
  const fromMs = msOf(state.from);
  const toMs = msOf(state.to);

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const val = (k: string) => {
      const v = String(data.get(k) ?? "").trim();
      return v === "" ? null : v;
    };
    const patch: LogUrlPatch = { key: val("key"), model: val("model"), group: val("group"), rid: val("rid") };
    if (scope === "admin") patch.user = val("user");
    if (range === "custom") {
      const f = fromDateInput(String(data.get("fromDay") ?? ""));
      const tDay = fromDateInput(String(data.get("toDay") ?? ""));
      patch.range = "custom";
      patch.from = f === null ? null : String(f);
      // the end day is included: the range ends at the next midnight
      patch.to = tDay === null ? null : String(tDay + DAY);
    }
    onChange(patch);
  }

  function setRange(next: string) {
    if (next === "custom") {
      const end = fromDateInput(toDateInput(Date.now()))! + DAY;
      onChange({ range: "custom", from: String(end - 7 * DAY), to: String(end) });
    } else onChange({ range: next, from: null, to: null });
  }

  return (
    <form
      onSubmit={submit}
      // a new URL (back, reset, a link) re-fills the fields from it
      key={JSON.stringify(state)}
      className="space-y-3 border-b border-zinc-200 p-3 sm:p-4 dark:border-zinc-800"
      data-testid="log-filters"
      aria-label={t("logs.filters.label")}
    >
      <div className="grid grid-cols-2 gap-3 lg:grid-cols-4">
        <Labelled label={t("logs.filters.range")}>
          {(id) => (
            <Select value={range} onValueChange={setRange}>
              <SelectTrigger id={id} className="h-9" data-testid="filter-range">
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                {RANGE_PRESETS.map((r) => (
                  <SelectItem key={r} value={r}>
                    {t(`logs.range.${r}`)}
                  </SelectItem>
                ))}
                <SelectItem value="custom">{t("logs.range.custom")}</SelectItem>
              </SelectContent>
            </Select>
          )}
        </Labelled>
        <Labelled label={t("logs.filters.type")}>
          {(id) => (
            <Select
              value={state.type && state.type !== "0" ? state.type : "all"}
              onValueChange={(v) => onChange({ type: v === "all" ? null : v })}
            >
              <SelectTrigger id={id} className="h-9" data-testid="filter-type">
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                <SelectItem value="all">{t("logs.type.all")}</SelectItem>
                {LOG_TYPE_OPTIONS.map((ty) => (
                  <SelectItem key={ty} value={String(ty)}>
                    {t(`logs.type.${ty}`)}
                  </SelectItem>
                ))}
                {state.type && state.type !== "0" && !LOG_TYPE_OPTIONS.some((ty) => String(ty) === state.type) ? (
                  // an unknown type from the URL: shown as it is (the page says what is wrong)
                  <SelectItem value={state.type}>{state.type.slice(0, 20)}</SelectItem>
                ) : null}
              </SelectContent>
            </Select>
          )}
        </Labelled>
        {range === "custom" ? (
          <>
            <Labelled label={t("logs.filters.fromDay")}>
              {(id) => (
                <Input
                  id={id}
                  type="date"
                  name="fromDay"
                  className="h-9"
                  defaultValue={fromMs !== null ? toDateInput(fromMs) : ""}
                  data-testid="filter-from"
                />
              )}
            </Labelled>
            <Labelled label={t("logs.filters.toDay")}>
              {(id) => (
                <Input
                  id={id}
                  type="date"
                  name="toDay"
                  className="h-9"
                  defaultValue={toMs !== null ? toDateInput(toMs - 1) : ""}
                  data-testid="filter-to"
                />
              )}
            </Labelled>
          </>
        ) : null}
        {scope === "admin" ? (
          <>
            <Labelled label={t("logs.filters.username")}>
              {(id) => <Input id={id} name="user" className="h-9" defaultValue={state.user ?? ""} autoComplete="off" />}
            </Labelled>
            <Labelled label={t("logs.filters.channel")}>
              {(id) => (
                <Select
                  value={state.channel ?? "all"}
                  onValueChange={(v) => onChange({ channel: v === "all" ? null : v })}
                >
                  <SelectTrigger id={id} className="h-9" data-testid="filter-channel">
                    <SelectValue />
                  </SelectTrigger>
                  <SelectContent>
                    <SelectItem value="all">{t("logs.filters.allChannels")}</SelectItem>
                    {(channels ?? []).map((c) => (
                      <SelectItem key={c.id} value={String(c.id)}>
                        #{c.id} {c.name}
                      </SelectItem>
                    ))}
                    {state.channel && !(channels ?? []).some((c) => String(c.id) === state.channel) ? (
                      <SelectItem value={state.channel}>#{state.channel.slice(0, 20)}</SelectItem>
                    ) : null}
                  </SelectContent>
                </Select>
              )}
            </Labelled>
          </>
        ) : null}
        <Labelled label={t("logs.filters.key")}>
          {(id) => (
            <>
              <Input
                id={id}
                name="key"
                className="h-9"
                defaultValue={state.key ?? ""}
                list={keyNames?.length ? keyListId : undefined}
                autoComplete="off"
              />
              {keyNames?.length ? (
                <datalist id={keyListId}>
                  {keyNames.map((k) => (
                    <option key={k} value={k} />
                  ))}
                </datalist>
              ) : null}
            </>
          )}
        </Labelled>
        <Labelled label={t("logs.filters.model")}>
          {(id) => <Input id={id} name="model" className="h-9" defaultValue={state.model ?? ""} autoComplete="off" />}
        </Labelled>
        <Labelled label={t("logs.filters.group")}>
          {(id) => <Input id={id} name="group" className="h-9" defaultValue={state.group ?? ""} autoComplete="off" />}
        </Labelled>
        <Labelled label={t("logs.filters.requestId")}>
          {(id) => (
            <Input
              id={id}
              name="rid"
              className="h-9 font-mono"
              defaultValue={state.rid ?? ""}
              autoComplete="off"
              spellCheck={false}
            />
          )}
        </Labelled>
      </div>
      <div className="flex flex-wrap justify-end gap-2">
        <Button type="button" variant="ghost" size="sm" onClick={onReset}>
          <RotateCcw aria-hidden />
          {t("logs.filters.reset")}
        </Button>
        <Button type="submit" size="sm">
          <Search aria-hidden />
          {t("logs.filters.apply")}
        </Button>
      </div>
    </form>
  );
}
