<?php
/* PNP4Nagios picks a template by the check command's name: the async_leak
 * command (conf/ samples) draws the same graphs as check_async_leak. */
include(dirname(__FILE__) . '/check_async_leak.php');
?>
