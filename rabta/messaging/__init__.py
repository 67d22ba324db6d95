"""SMS: inbound and outbound messages, the conversation, beat subscriptions and broadcasts.

Modules, lowest first (each imports only modules listed above it; import-linter checks it):

  models          channels, phones (numbers encrypted), subscriptions, conversations, messages, broadcasts
  keywords        every SMS keyword in one annotated table, and the rules that keep them from eating a report
  selectors       reads: channels, phones, the waiting conversation, broadcast lists and audiences
  jobs            how services queue background work: tasks named by path (see there why)
  phones          the Phone row for a number, created once even under racing deliveries
  providers/      one folder per provider: its outbound transport and its webhook signature scheme
  outbound        queue an SMS, send queued ones (throttled, retried, leased), record delivery reports
  subscriptions   beat news: JOIN and LEAVE, web sign-ups that wait for the phone's own YES
  intents         what the conversation asks to be done (the writes), and the Outcome it returns
  report_flow     the guided report by SMS, step by step (pure: yields intents)
  conversation    commands in four scripts: text in, intents and replies out (pure)
  effects         applies the conversation's intents: the one place an SMS command writes
  inbound         store webhook deliveries once, drain them in the worker, the periodic sweep
  broadcasts      who may send to whom, approval, dispatch to subscribers
  notifications   SMS as a channel for report notifications (rabta.reports.notify)
  simulator       the staff SMS simulator's rules: who, which numbers, what it shows
  tasks           the background tasks, one thin wrapper per service function
  retention       SMS bodies emptied and conversations deleted past their period
  webhooks/       the providers' HTTP endpoints (inbound SMS, delivery status), routed by webhook_urls
  forms, views, urls, admin, demo, templatetags   the pages, the admin and the demo data
"""
