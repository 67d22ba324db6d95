"""Django-free helpers, the lowest layer: nothing here imports Django or another Rabta package.

crypto   field encryption (AES-GCM) and blind indexes for contact details
env      reading configuration from the environment, failing early and by name
geo      GeoJSON polygons, the point-in-beat index, overlap checks, snapping for public output
images   re-encoding uploads as plain JPEG without metadata
phones   E.164 normalisation (default region Pakistan) and masking
sms      GSM 03.38 / UCS-2 segment arithmetic
stats    Wilson intervals and other figures for indicators
text     one comparison key however a word was typed (scripts, digits, case), masked codes
"""
