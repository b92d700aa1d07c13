#!/usr/bin/env node
import { runNodeJs } from "@bufbuild/protoplugin";
import { protocGenNats } from "../plugin.js";

runNodeJs(protocGenNats);
