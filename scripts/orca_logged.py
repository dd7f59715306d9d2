"""Run Orca 43 with what it speaks written, line by line, to the file named by ORCA_SPEECH_LOG.

Orca's own --debug-file is block-buffered, so it cannot be polled while Orca runs; its "speech"
logger gets the same "SPEECH OUTPUT: '...'" lines, and a FileHandler flushes each one.
Key echo and braille are off (fresh preferences directory): key names would drown the transcript
and there is no braille display.
"""

import logging
import os
import runpy
import sys

sys.path.insert(0, "/usr/lib/python3/dist-packages")
from orca import settings

settings.enableKeyEcho = False
settings.enableBraille = False

handler = logging.FileHandler(os.environ["ORCA_SPEECH_LOG"], mode="w")
handler.setFormatter(logging.Formatter("%(asctime)s.%(msecs)03d %(message)s", "%H:%M:%S"))
logging.getLogger("speech").addHandler(handler)
sys.argv = ["orca", *sys.argv[1:]]
runpy.run_path("/usr/bin/orca", run_name="__main__")
