"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { BellRing, History, Loader2, RefreshCw, Send } from "lucide-react";
import { useId, useState, type FormEvent } from "react";
import { toast } from "sonner";
import { failureFieldErrors, failureMessage, unwrap } from "@/components/forms/action-result";
import { useI18n } from "@/components/i18n/i18n-provider";
import { useMoney } from "@/components/money/money-provider";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Checkbox } from "@/components/ui/checkbox";
import { FormField } from "@/components/ui/field";
import { AmountInput, Input } from "@/components/ui/input";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { Switch } from "@/components/ui/switch";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { DateTime, RelativeTime } from "@/components/ui/time";
import type { MessageKey } from "@/lib/i18n";
import {
  notificationHistoryAction,
  notifySettingsAction,
  saveNotifySettingsAction,
  sendTestNotificationAction,
} from "@/lib/notifications/actions";
import type { NotificationDTO } from "@/lib/notifications/queries";
import { notifyKeys } from "@/lib/notifications/query-keys";
import { NOTIFY_TYPES, type NotifyType, type TNotifySettingsForm } from "@/lib/notifications/schemas";
import type { NotifySettingsDTO } from "@/lib/notifications/settings";
import { PasswordCard } from "./password-card";

/** The settings page: notification preferences (a test button per saved channel), request toggles, password, delivery history. */
export function SettingsView({
  initialSettings,
  initialHistory,
}: {
  initialSettings: NotifySettingsDTO;
  initialHistory: NotificationDTO[];
}) {
  const { t } = useI18n();
  const settings = useQuery({
    queryKey: notifyKeys.settings(),
    queryFn: () => unwrap(notifySettingsAction({})),
    initialData: initialSettings,
  });
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">{t("settings.title")}</h1>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{t("settings.subtitle")}</p>
      </div>
      <NotifyForm key={JSON.stringify(settings.data)} saved={settings.data} />
      <AccountToggles saved={settings.data} />
      <PasswordCard />
      <DeliveryHistory initial={initialHistory} />
    </div>
  );
}

type FormState = {
  notifyType: NotifyType;
  threshold: string;
  spendAlert: string;
  language: "en" | "zh";
  notificationEmail: string;
  webhookUrl: string;
  webhookSecret: string;
  clearWebhookSecret: boolean;
  barkUrl: string;
  gotifyUrl: string;
  gotifyToken: string;
  gotifyPriority: string;
};

function fromSaved(s: NotifySettingsDTO, locale: "en" | "zh"): FormState {
  return {
    notifyType: s.notifyType,
    threshold: s.threshold,
    spendAlert: s.spendAlert,
    language: s.language ?? locale,
    notificationEmail: s.notificationEmail,
    webhookUrl: s.webhookUrl,
    webhookSecret: "",
    clearWebhookSecret: false,
    barkUrl: s.barkUrl,
    gotifyUrl: s.gotifyUrl,
    gotifyToken: "",
    gotifyPriority: String(s.gotifyPriority),
  };
}

const TYPE_LABEL: Record<NotifyType, MessageKey> = {
  email: "settings.type.email",
  webhook: "settings.type.webhook",
  bark: "settings.type.bark",
  gotify: "settings.type.gotify",
};

function NotifyForm({ saved }: { saved: NotifySettingsDTO }) {
  const { t, locale } = useI18n();
  const money = useMoney();
  const queryClient = useQueryClient();
  const initial = fromSaved(saved, locale);
  const [form, setForm] = useState<FormState>(initial);
  const dirty = JSON.stringify(form) !== JSON.stringify(initial);
  const set = <K extends keyof FormState>(k: K, v: FormState[K]) => setForm((f) => ({ ...f, [k]: v }));

  const save = useMutation({
    mutationFn: (input: TNotifySettingsForm) => unwrap(saveNotifySettingsAction(input)),
    onSuccess: (dto) => {
      toast.success(t("settings.saved"));
      queryClient.setQueryData(notifyKeys.settings(), dto);
    },
    // field errors are shown next to their fields; a toast is for the rest
    onError: (e) => {
      if (Object.keys(failureFieldErrors(e)).length === 0) toast.error(failureMessage(e, t("error.internal")));
    },
  });
  const test = useMutation({
    mutationFn: (channel: NotifyType) => unwrap(sendTestNotificationAction({ channel })),
    onSuccess: (r, channel) => {
      const label = t(TYPE_LABEL[channel]);
      if (r.status === "sent") toast.success(t("settings.test.sent", { channel: label }));
      else toast.error(t("settings.test.failed", { channel: label, error: r.error }));
      void queryClient.invalidateQueries({ queryKey: notifyKeys.history() });
    },
    onError: (e) => toast.error(failureMessage(e, t("error.internal"))),
  });
  const errors = failureFieldErrors(save.error);
  const testResult = test.data && !test.isPending ? { ...test.data, channel: test.variables } : null;
  const testable = configuredChannels(saved);

  function submit(e: FormEvent) {
    e.preventDefault();
    // every field the form shows, and only those: the server merges, so nothing else is touched
    const input: TNotifySettingsForm = {
      notifyType: form.notifyType,
      threshold: form.threshold,
      spendAlert: form.spendAlert,
      language: form.language,
    };
    if (form.notifyType === "email") input.notificationEmail = form.notificationEmail;
    if (form.notifyType === "webhook") {
      input.webhookUrl = form.webhookUrl;
      if (form.clearWebhookSecret) input.clearWebhookSecret = true;
      else if (form.webhookSecret) input.webhookSecret = form.webhookSecret;
    }
    if (form.notifyType === "bark") input.barkUrl = form.barkUrl;
    if (form.notifyType === "gotify") {
      input.gotifyUrl = form.gotifyUrl;
      if (form.gotifyToken) input.gotifyToken = form.gotifyToken;
      input.gotifyPriority = form.gotifyPriority;
    }
    save.mutate(input);
  }

  return (
    <Card>
      <CardHeader className="pb-0 sm:pb-0">
        <div>
          <CardTitle className="flex items-center gap-2">
            <BellRing aria-hidden className="h-4 w-4 text-indigo-600 dark:text-indigo-400" />
            {t("settings.notify.title")}
          </CardTitle>
          <CardDescription>{t("settings.notify.body")}</CardDescription>
        </div>
      </CardHeader>
      <form onSubmit={submit} noValidate className="space-y-5 p-5 sm:p-6" data-testid="notify-form">
        <div className="grid gap-4 sm:grid-cols-2">
          <FormField label={t("field.notifyType")} error={errors.notifyType}>
            {(c) => (
              <Select value={form.notifyType} onValueChange={(v) => set("notifyType", v as NotifyType)}>
                <SelectTrigger {...c} data-testid="notify-type">
                  <SelectValue />
                </SelectTrigger>
                <SelectContent>
                  {NOTIFY_TYPES.map((type) => (
                    <SelectItem key={type} value={type}>
                      {t(TYPE_LABEL[type])}
                    </SelectItem>
                  ))}
                </SelectContent>
              </Select>
            )}
          </FormField>
          <FormField label={t("field.language")} error={errors.language} hint={t("settings.language.hint")}>
            {(c) => (
              <Select value={form.language} onValueChange={(v) => set("language", v as "en" | "zh")}>
                <SelectTrigger {...c} data-testid="notify-language">
                  <SelectValue />
                </SelectTrigger>
                <SelectContent>
                  <SelectItem value="en">{t("settings.language.en")}</SelectItem>
                  <SelectItem value="zh">{t("settings.language.zh")}</SelectItem>
                </SelectContent>
              </Select>
            )}
          </FormField>
          <FormField
            label={t("field.threshold")}
            error={errors.threshold}
            hint={t("settings.threshold.hint", { amount: money.format(saved.defaultThresholdQuota) })}
          >
            {(c) => (
              <AmountInput
                {...c}
                symbol={money.symbol}
                name="threshold"
                value={form.threshold}
                onChange={(e) => set("threshold", e.target.value)}
              />
            )}
          </FormField>
          <FormField label={t("field.spendAlert")} error={errors.spendAlert} hint={t("settings.spendAlert.hint")}>
            {(c) => (
              <AmountInput
                {...c}
                symbol={money.symbol}
                name="spendAlert"
                value={form.spendAlert}
                onChange={(e) => set("spendAlert", e.target.value)}
              />
            )}
          </FormField>
        </div>

        <div
          className="space-y-4 rounded-lg border border-zinc-200 p-4 dark:border-zinc-800"
          data-testid="channel-fields"
        >
          {form.notifyType === "email" ? (
            <FormField
              label={t("field.notificationEmail")}
              error={errors.notificationEmail}
              hint={
                saved.accountEmail
                  ? t("settings.notificationEmail.hint", { email: saved.accountEmail })
                  : t("settings.notificationEmail.hintNone")
              }
            >
              {(c) => (
                <Input
                  {...c}
                  type="email"
                  name="notificationEmail"
                  value={form.notificationEmail}
                  onChange={(e) => set("notificationEmail", e.target.value)}
                  placeholder={saved.accountEmail || "you@example.com"}
                  autoComplete="email"
                />
              )}
            </FormField>
          ) : null}
          {form.notifyType === "webhook" ? (
            <>
              <FormField label={t("field.webhookUrl")} error={errors.webhookUrl} hint={t("settings.webhookUrl.hint")}>
                {(c) => (
                  <Input
                    {...c}
                    name="webhookUrl"
                    value={form.webhookUrl}
                    onChange={(e) => set("webhookUrl", e.target.value)}
                    placeholder="https://example.com/hooks/tollgate"
                    spellCheck={false}
                    className="font-mono"
                  />
                )}
              </FormField>
              <FormField
                label={t("field.webhookSecret")}
                error={errors.webhookSecret}
                labelAside={t("common.optional")}
                hint={
                  saved.webhookSecretHint
                    ? t("settings.webhookSecret.saved", { hint: saved.webhookSecretHint })
                    : t("settings.webhookSecret.hint")
                }
              >
                {(c) => (
                  <Input
                    {...c}
                    type="password"
                    name="webhookSecret"
                    value={form.webhookSecret}
                    onChange={(e) => set("webhookSecret", e.target.value)}
                    placeholder={saved.webhookSecretHint ?? ""}
                    autoComplete="new-password"
                    disabled={form.clearWebhookSecret}
                  />
                )}
              </FormField>
              {saved.webhookSecretHint ? (
                <CheckRow
                  label={t("settings.webhookSecret.clear")}
                  checked={form.clearWebhookSecret}
                  onChange={(v) => set("clearWebhookSecret", v)}
                />
              ) : null}
            </>
          ) : null}
          {form.notifyType === "bark" ? (
            <FormField label={t("field.barkUrl")} error={errors.barkUrl} hint={t("settings.barkUrl.hint")}>
              {(c) => (
                <Input
                  {...c}
                  name="barkUrl"
                  value={form.barkUrl}
                  onChange={(e) => set("barkUrl", e.target.value)}
                  placeholder="https://api.day.app/yourkey/{{title}}/{{content}}"
                  spellCheck={false}
                  className="font-mono"
                />
              )}
            </FormField>
          ) : null}
          {form.notifyType === "gotify" ? (
            <div className="grid gap-4 sm:grid-cols-[minmax(0,1fr)_minmax(0,1fr)_8rem]">
              <FormField label={t("field.gotifyUrl")} error={errors.gotifyUrl} hint={t("settings.gotifyUrl.hint")}>
                {(c) => (
                  <Input
                    {...c}
                    name="gotifyUrl"
                    value={form.gotifyUrl}
                    onChange={(e) => set("gotifyUrl", e.target.value)}
                    placeholder="https://gotify.example.com"
                    spellCheck={false}
                    className="font-mono"
                  />
                )}
              </FormField>
              <FormField
                label={t("field.gotifyToken")}
                error={errors.gotifyToken}
                hint={
                  saved.gotifyTokenHint ? t("settings.gotifyToken.saved", { hint: saved.gotifyTokenHint }) : undefined
                }
              >
                {(c) => (
                  <Input
                    {...c}
                    type="password"
                    name="gotifyToken"
                    value={form.gotifyToken}
                    onChange={(e) => set("gotifyToken", e.target.value)}
                    placeholder={saved.gotifyTokenHint ?? ""}
                    autoComplete="off"
                  />
                )}
              </FormField>
              <FormField
                label={t("field.gotifyPriority")}
                error={errors.gotifyPriority}
                hint={t("settings.gotifyPriority.hint")}
              >
                {(c) => (
                  <Input
                    {...c}
                    name="gotifyPriority"
                    inputMode="numeric"
                    value={form.gotifyPriority}
                    onChange={(e) => set("gotifyPriority", e.target.value)}
                  />
                )}
              </FormField>
            </div>
          ) : null}
        </div>

        <div
          className="space-y-3 rounded-lg border border-dashed border-zinc-300 p-4 dark:border-zinc-700"
          data-testid="test-channels"
        >
          <div>
            <p className="text-sm font-medium text-zinc-800 dark:text-zinc-200">{t("settings.test.title")}</p>
            <p className="mt-0.5 text-xs text-zinc-500 dark:text-zinc-400">
              {dirty ? t("settings.unsaved") : testable.length ? t("settings.test.hint") : t("settings.test.none")}
            </p>
          </div>
          {testable.length ? (
            <div className="flex flex-wrap gap-2">
              {testable.map((channel) => {
                const busy = test.isPending && test.variables === channel;
                return (
                  <Button
                    key={channel}
                    type="button"
                    variant="secondary"
                    size="sm"
                    disabled={dirty || test.isPending}
                    aria-busy={busy || undefined}
                    onClick={() => test.mutate(channel)}
                    data-testid={`send-test-${channel}`}
                  >
                    {busy ? <Loader2 aria-hidden className="animate-spin" /> : <Send aria-hidden />}
                    {busy ? t("settings.testing") : t("settings.test", { channel: t(TYPE_LABEL[channel]) })}
                  </Button>
                );
              })}
            </div>
          ) : null}
          {testResult?.channel ? (
            <Alert tone={testResult.status === "sent" ? "success" : "error"} testId="test-result">
              {testResult.status === "sent"
                ? t("settings.test.sent", { channel: t(TYPE_LABEL[testResult.channel]) })
                : t("settings.test.failed", { channel: t(TYPE_LABEL[testResult.channel]), error: testResult.error })}
            </Alert>
          ) : null}
        </div>

        <div className="flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-end">
          {dirty ? (
            <p className="text-xs text-amber-700 sm:mr-auto dark:text-amber-300">{t("settings.dirty")}</p>
          ) : null}
          <Button type="submit" disabled={save.isPending} aria-busy={save.isPending || undefined}>
            {save.isPending ? <Loader2 aria-hidden className="animate-spin" /> : null}
            {save.isPending ? t("settings.saving") : t("settings.save")}
          </Button>
        </div>
      </form>
    </Card>
  );
}

/** the channels whose settings are saved, each testable on its own (whatever the alert channel is) */
function configuredChannels(s: NotifySettingsDTO): NotifyType[] {
  const ready: Record<NotifyType, boolean> = {
    email: !!(s.notificationEmail || s.accountEmail),
    webhook: !!s.webhookUrl,
    bark: !!s.barkUrl,
    gotify: !!(s.gotifyUrl && s.gotifyTokenHint),
  };
  return NOTIFY_TYPES.filter((c) => ready[c]);
}

function CheckRow({ label, checked, onChange }: { label: string; checked: boolean; onChange: (v: boolean) => void }) {
  const id = useId();
  return (
    <div className="flex items-center gap-2">
      <Checkbox id={id} checked={checked} onCheckedChange={(v) => onChange(v === true)} />
      <label htmlFor={id} className="text-sm text-zinc-700 dark:text-zinc-300">
        {label}
      </label>
    </div>
  );
}

function AccountToggles({ saved }: { saved: NotifySettingsDTO }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const save = useMutation({
    // one field per save: the server merges it into the rest
    mutationFn: (input: TNotifySettingsForm) => unwrap(saveNotifySettingsAction(input)),
    onSuccess: (dto) => {
      toast.success(t("settings.account.saved"));
      queryClient.setQueryData(notifyKeys.settings(), dto);
    },
    onError: (e) => toast.error(failureMessage(e, t("error.internal"))),
  });
  const rows = [
    {
      key: "recordIpLog" as const,
      label: t("settings.recordIp"),
      hint: t("settings.recordIp.hint"),
      value: saved.recordIpLog,
    },
    {
      key: "acceptUnpricedModels" as const,
      label: t("settings.acceptUnpriced"),
      hint: t("settings.acceptUnpriced.hint"),
      value: saved.acceptUnpricedModels,
    },
  ];
  return (
    <Card>
      <CardHeader className="pb-0 sm:pb-0">
        <div>
          <CardTitle>{t("settings.account.title")}</CardTitle>
          <CardDescription>{t("settings.account.body")}</CardDescription>
        </div>
      </CardHeader>
      <ul className="divide-y divide-zinc-100 px-5 pb-2 sm:px-6 dark:divide-zinc-800">
        {rows.map((r) => (
          <ToggleRow
            key={r.key}
            label={r.label}
            hint={r.hint}
            checked={save.isPending && save.variables?.[r.key] !== undefined ? !!save.variables[r.key] : r.value}
            disabled={save.isPending}
            onChange={(v) => save.mutate({ [r.key]: v })}
            testId={`toggle-${r.key}`}
          />
        ))}
      </ul>
    </Card>
  );
}

function ToggleRow(props: {
  label: string;
  hint: string;
  checked: boolean;
  disabled: boolean;
  onChange: (v: boolean) => void;
  testId: string;
}) {
  const id = useId();
  return (
    <li className="flex items-start justify-between gap-4 py-4">
      <div>
        <label htmlFor={id} className="text-sm font-medium text-zinc-800 dark:text-zinc-200">
          {props.label}
        </label>
        <p id={`${id}-hint`} className="mt-0.5 text-xs text-zinc-500 dark:text-zinc-400">
          {props.hint}
        </p>
      </div>
      <Switch
        id={id}
        aria-describedby={`${id}-hint`}
        checked={props.checked}
        disabled={props.disabled}
        onCheckedChange={props.onChange}
        data-testid={props.testId}
      />
    </li>
  );
}

const STATUS_TONE = {
  sent: "success",
  pending: "warning",
  sending: "info",
  failed: "danger",
  suppressed: "neutral",
} as const;

const statusKey = (s: string) => `settings.status.${s}` as MessageKey;
const kindKey = (k: string) => `settings.kind.${k}` as MessageKey;

function StatusBadge({ n }: { n: NotificationDTO }) {
  const { t } = useI18n();
  const tone = STATUS_TONE[n.status as keyof typeof STATUS_TONE] ?? "neutral";
  return (
    <Badge tone={tone} data-testid="notification-status">
      {t(statusKey(n.status))}
    </Badge>
  );
}

function DeliveryHistory({ initial }: { initial: NotificationDTO[] }) {
  const { t } = useI18n();
  const query = useQuery({
    queryKey: notifyKeys.history(),
    queryFn: () => unwrap(notificationHistoryAction({})),
    initialData: initial,
  });
  const items = query.data ?? [];
  return (
    <Card>
      <CardHeader className="pb-3 sm:pb-4">
        <div>
          <CardTitle>{t("settings.history.title")}</CardTitle>
          <CardDescription>{t("settings.history.body")}</CardDescription>
        </div>
        <Button
          variant="secondary"
          size="sm"
          onClick={() => void query.refetch()}
          disabled={query.isFetching}
          data-testid="history-refresh"
        >
          <RefreshCw aria-hidden className={query.isFetching ? "animate-spin" : undefined} />
          {t("settings.history.refresh")}
        </Button>
      </CardHeader>
      {query.isError && items.length === 0 ? (
        <ErrorState onRetry={() => void query.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState icon={History} body={t("settings.history.empty")} className="pt-4" />
      ) : (
        <>
          <ul
            className="divide-y divide-zinc-100 border-t border-zinc-100 sm:hidden dark:divide-zinc-800 dark:border-zinc-800"
            data-testid="history-list"
          >
            {items.map((n) => (
              <li key={n.id} className="space-y-1.5 px-5 py-3 text-sm">
                <div className="flex items-center justify-between gap-2">
                  <span className="font-medium">
                    {t(kindKey(n.kind))} · {t(TYPE_LABEL[n.channel as NotifyType] ?? "settings.type.email")}
                  </span>
                  <StatusBadge n={n} />
                </div>
                <div className="flex items-center justify-between gap-2 text-xs text-zinc-500 dark:text-zinc-400">
                  <RelativeTime iso={n.createdAt} />
                  <span>
                    {t("settings.history.attempts")}: {n.attempts}
                  </span>
                </div>
                {n.lastError ? (
                  <p className="break-words text-xs text-red-600 dark:text-red-400">{n.lastError}</p>
                ) : null}
              </li>
            ))}
          </ul>
          <Table data-testid="history-table" className="hidden sm:table">
            <THead>
              <tr>
                <TH className="pl-5 sm:pl-6">{t("settings.history.time")}</TH>
                <TH>{t("settings.history.kind")}</TH>
                <TH>{t("settings.history.channel")}</TH>
                <TH>{t("settings.history.status")}</TH>
                <TH className="text-right">{t("settings.history.attempts")}</TH>
                <TH className="pr-5 sm:pr-6">{t("settings.history.error")}</TH>
              </tr>
            </THead>
            <TBody>
              {items.map((n) => (
                <TR key={n.id} data-testid="history-row">
                  <TD className="whitespace-nowrap pl-5 sm:pl-6">
                    <DateTime iso={n.createdAt} />
                  </TD>
                  <TD>{t(kindKey(n.kind))}</TD>
                  <TD>{t(TYPE_LABEL[n.channel as NotifyType] ?? "settings.type.email")}</TD>
                  <TD>
                    <StatusBadge n={n} />
                    {n.nextAttemptAt ? (
                      <span className="ml-2 text-xs text-zinc-500 dark:text-zinc-400">
                        {t("settings.history.next", { time: "" })}
                        <RelativeTime iso={n.nextAttemptAt} />
                      </span>
                    ) : null}
                  </TD>
                  <TD className="text-right tabular-nums">{n.attempts}</TD>
                  <TD className="max-w-md pr-5 sm:pr-6">
                    {n.lastError ? (
                      <span
                        className="line-clamp-2 break-words text-xs text-red-600 dark:text-red-400"
                        title={n.lastError}
                      >
                        {n.lastError}
                      </span>
                    ) : (
                      <AttemptSummary n={n} />
                    )}
                  </TD>
                </TR>
              ))}
            </TBody>
          </Table>
        </>
      )}
    </Card>
  );
}

/** the last attempt's status code and duration, for a delivered row */
function AttemptSummary({ n }: { n: NotificationDTO }) {
  const last = n.attemptLog[n.attemptLog.length - 1];
  if (!last) return <span className="text-xs text-zinc-400">—</span>;
  return (
    <span className="text-xs text-zinc-500 tabular-nums dark:text-zinc-400">
      {last.statusCode ? `HTTP ${last.statusCode} · ` : ""}
      {last.durationMs} ms
    </span>
  );
}
