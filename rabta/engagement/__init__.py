"""Community engagement: meetings and attendance, committees, priorities, action items.

models/         meetings (with attendance and the consent register) and work (priorities, actions,
                committees, partner agencies)
selectors       reads pages show: meeting lists, "you said, we did", committee records, queues
services        writes that touch several models or send something, each one transaction
cadence, representation   Django-free rules: which meetings fell due, who was in the room
reminders, tasks          reminders before an action is due and escalation when it is late
retention                 named registers deleted past their period
calendar, feed_urls       the per-beat iCalendar feed
views/, forms, urls, admin, demo   public and staff pages, the back office, demo data
"""
