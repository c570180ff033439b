package dev.ferry.localstack;

import io.apicurio.common.apps.config.DynamicConfigPropertyList;
import java.util.ArrayList;
import javax.enterprise.context.ApplicationScoped;
import javax.enterprise.inject.Produces;

/** Stands in for the config-index build step (its deployment jar is not on Maven Central): no dynamic properties. */
@ApplicationScoped
public class ConfigIndex {
  @Produces
  @ApplicationScoped
  public DynamicConfigPropertyList dynamicConfigProperties() {
    return new DynamicConfigPropertyList(new ArrayList<>());
  }
}
