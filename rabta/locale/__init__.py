"""Catalogues (<lang>/LC_MESSAGES/django.po) and, as in Django's own conf/locale, date and number formats
(<lang>/formats.py, found through settings.FORMAT_MODULE_PATH). Django ships no formats for Urdu or Pashto."""
