package dev.qbridge.camel.bridge;

import org.apache.camel.CamelContext;

/** The two definitions of the bridge templates; every bridge test runs against both. */
enum Dsl {
    JAVA, YAML;

    void addTemplates(CamelContext context) throws Exception {
        if (this == JAVA) {
            context.addRoutes(new BridgeTemplates());
        } else {
            BridgeTemplates.addYamlTemplates(context);
        }
    }
}
