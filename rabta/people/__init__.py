"""Who uses Rabta: accounts with a role and a scope, officers' public profiles, staff login.

models      User (role, scope), OfficerProfile, RoleRequest, and the approval table
selectors   reads: officers on public pages, accounts a manager may pick, role requests
approvals   sensitive roles take a second person: request, approve or refuse, logged
auth        `staff_required`, the typed `StaffRequest`, the admin site behind TOTP
lockout     login throttling per client and per account that strangers cannot use to lock one out
views, forms, urls, admin, demo   login, second-factor enrolment, account and role-request pages
"""
